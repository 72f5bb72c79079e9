// The login load of bench/http-peers.bench.mjs's tail run, in a process of its own so that
// the process measuring latencies does no other work:
//   node bench/login-load.mjs <burst> <every ms> <url>   POSTs <burst> logins at once to
//        <url> every <every ms> (the server checks each with bcrypt, cost 10);
//   node bench/login-load.mjs <burst> <every ms>         the control: the same bcrypt
//        verifications run here (tokenward/password), and no login reaches any server.
// Prints "running" once started; on SIGTERM prints {"completed":n,"failed":n} and exits.
// Uses the built package (dist/).
import { Agent, request } from 'node:http';

const [burst, every] = process.argv.slice(2, 4).map(Number);
const url = process.argv[4];
let completed = 0;
let failed = 0;
const pending = new Set();
const track = (promise) => {
  const tracked = promise
    .then((ok) => {
      if (ok) completed += 1;
      else failed += 1;
    })
    .finally(() => pending.delete(tracked));
  pending.add(tracked);
};

let attempt;
if (url === undefined) {
  const { hashPassword, verifyPassword } = await import('../dist/password.js');
  const password = 'correct horse battery staple';
  const passwordHash = await hashPassword(password, { cost: 10 });
  attempt = () => verifyPassword(password, passwordHash);
} else {
  // node:http on kept-alive connections: fetch spent about 4.5 ms of CPU per login here,
  // twice the server's own handling of it, and on a machine of two CPUs that client's work
  // lands in the latencies being measured (a real login client runs elsewhere).
  const agent = new Agent({ keepAlive: true, maxSockets: burst });
  const body = JSON.stringify({ password: 'correct horse battery staple' });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  attempt = () =>
    new Promise((resolve) => {
      const req = request(url, { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
}

const fire = () => {
  for (let i = 0; i < burst; i++) track(attempt());
};
fire();
const timer = setInterval(fire, every);
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await Promise.all(pending);
  process.stdout.write(`${JSON.stringify({ completed, failed })}\n`, () => process.exit(0));
});
process.stdout.write('running\n');
