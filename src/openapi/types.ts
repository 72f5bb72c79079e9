/**
 * The OpenAPI 3.1 objects `tokenward/openapi` produces, typed just wide enough
 * to describe them and to be accepted where an OpenAPI 3.1 document is expected.
 * @packageDocumentation
 */

/** A JSON Schema type name, as the schemas of `tokenward/openapi` use them. */
export type JsonSchemaType = 'object' | 'string' | 'integer' | 'number' | 'boolean';

/** A JSON Schema of an array, whose every item matches `items`. */
export interface JsonArraySchema {
  /** Always `array`. */
  type: 'array';
  /** The schema of each item. */
  items: JsonSchema | OpenApiReference;
  /** What the value is. */
  description?: string;
}

/** A reference to another object of the document (`#/components/...`). */
export interface OpenApiReference {
  /** The JSON pointer of the referenced object, such as `#/components/schemas/TokenwardError`. */
  $ref: string;
}

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect), limited to the keywords tokenward's schemas use. */
export interface JsonSchema {
  /** The instance type. */
  type?: JsonSchemaType;
  /** A short title. */
  title?: string;
  /** What the value is. */
  description?: string;
  /** The properties of an object. */
  properties?: { [name: string]: JsonSchema | JsonArraySchema | OpenApiReference };
  /** The properties an object must have. */
  required?: string[];
  /** Whether an object may have other properties. */
  additionalProperties?: boolean;
  /** The values allowed. */
  enum?: string[];
  /** The one value allowed. */
  const?: string;
  /** Schemas the value must match, all of them. */
  allOf?: (JsonSchema | OpenApiReference)[];
  /** The shortest string allowed. */
  minLength?: number;
  /** The longest string allowed. */
  maxLength?: number;
  /** The smallest number allowed. */
  minimum?: number;
  /** A format hint, such as `password`. */
  format?: string;
  /** A regular expression a string must match (e.g. `Retry-After`'s digits). */
  pattern?: string;
  /** `true` for a value only ever sent, never returned (a password). */
  writeOnly?: boolean;
  /** Example values. */
  examples?: (string | number)[];
}

/** An OpenAPI media type entry: the schema of a body in one media type. */
export interface OpenApiMediaType {
  /** The body's schema. */
  schema: JsonSchema | OpenApiReference;
}

/** An OpenAPI header of a response. */
export interface OpenApiHeader {
  /** What the header carries. */
  description: string;
  /** The header value's schema. */
  schema: JsonSchema;
  /** `false` for a header only some answers of the status carry (e.g. `Retry-After` on a 503). */
  required?: boolean;
}

/** An OpenAPI response. */
export interface OpenApiResponse {
  /** What the response means. */
  description: string;
  /** The response headers worth knowing. */
  headers?: { [name: string]: OpenApiHeader };
  /** The body, by media type. */
  content?: { [mediaType: string]: OpenApiMediaType };
}

/** An OpenAPI request body. */
export interface OpenApiRequestBody {
  /** What the body carries. */
  description?: string;
  /** Whether a body must be sent. */
  required: boolean;
  /** The body, by media type. */
  content: { [mediaType: string]: OpenApiMediaType };
}

/** An OpenAPI parameter (tokenward only documents the refresh-token cookie). */
export interface OpenApiParameter {
  /** The parameter name: the cookie's full name. */
  name: string;
  /** Where it is sent. */
  in: 'cookie' | 'header' | 'query' | 'path';
  /** What it carries. */
  description: string;
  /** Whether it must be sent. */
  required: boolean;
  /** The value's schema. */
  schema: JsonSchema;
}

/**
 * An OpenAPI security requirement: the name of a security scheme and the
 * scopes it needs. Several requirements in a `security` list are alternatives.
 */
export interface SecurityRequirement {
  [schemeName: string]: string[];
}

/** An OpenAPI operation. */
export interface OpenApiOperation {
  /** The operation's groups in the UI. */
  tags?: string[];
  /** A one-line summary. */
  summary: string;
  /** What the operation does. */
  description?: string;
  /** A unique id, used by code generators. */
  operationId: string;
  /** The parameters. */
  parameters?: OpenApiParameter[];
  /** The request body. */
  requestBody?: OpenApiRequestBody;
  /** The responses, by status. */
  responses: { [status: string]: OpenApiResponse | OpenApiReference };
  /** The credentials the operation takes; an empty requirement (`{}`) makes them optional. */
  security?: SecurityRequirement[];
}

/** An OpenAPI path item; the token routes only answer `POST`. */
export interface OpenApiPathItem {
  /** The `GET` operation. */
  get?: OpenApiOperation;
  /** The `POST` operation. */
  post?: OpenApiOperation;
  /** The `DELETE` operation. */
  delete?: OpenApiOperation;
}

/** The HTTP `bearer` security scheme (RFC 6750) of a JWT access token. */
export interface HttpBearerSecurityScheme {
  /** Always `http`. */
  type: 'http';
  /** Always `bearer`. */
  scheme: 'bearer';
  /** Always `JWT`. */
  bearerFormat: 'JWT';
  /** What the scheme takes. */
  description: string;
}

/** The OAuth2 security scheme with the resource owner password flow (RFC 6749 4.3). */
export interface OAuth2PasswordSecurityScheme {
  /** Always `oauth2`. */
  type: 'oauth2';
  /** What the scheme takes. */
  description: string;
  /** The flows: only `password`. */
  flows: {
    /** The password flow. */
    password: {
      /** Where the password grant is sent. */
      tokenUrl: string;
      /** Where the refresh grant is sent. */
      refreshUrl?: string;
      /** The scopes; tokenward grants none (roles are claims, not scopes). */
      scopes: { [scope: string]: string };
    };
  };
}

/** A security scheme that `tokenward/openapi` documents. */
export type TokenwardSecurityScheme = HttpBearerSecurityScheme | OAuth2PasswordSecurityScheme;

/** An OpenAPI tag. */
export interface OpenApiTag {
  /** The tag name. */
  name: string;
  /** What the tagged operations are about. */
  description?: string;
}
