// The login flood of bench/login-protection.bench.mjs, in a process of its own so that the
// process timing GET /me does no other work: `node bench/login-flood.mjs <logins per second> <url>`
// sends wrong-password logins at that steady rate (open loop: a new login every 1000/rate ms,
// whatever the answers to the earlier ones), on kept-alive connections. Prints "running" once
// started; on SIGTERM prints {"byStatus":{...}} (answers counted by status) and exits.
import { Agent, request } from 'node:http';

const rate = Number(process.argv[2]);
const url = process.argv[3];
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const body = JSON.stringify({ username: 'alice', password: 'a wrong guess' });
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
const byStatus = {};

function one() {
  const req = request(url, { method: 'POST', headers, agent }, (res) => {
    res.resume();
    res.on('end', () => {
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
    });
  });
  req.on('error', () => {
    byStatus.error = (byStatus.error ?? 0) + 1;
  });
  req.end(body);
}

// Timers fire at most every millisecond: at high rates, several logins leave per tick.
const started = performance.now();
let sent = 0;
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - started) * rate) / 1000);
  for (; sent < due; sent++) one();
}, 2);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ byStatus, sent })}\n`, () => process.exit(0));
});
process.stdout.write('running\n');
