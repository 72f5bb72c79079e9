/** The root layout every App Router app needs. */

import type { ReactNode } from 'react';

export const metadata = { title: 'tokenward on Next.js' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
