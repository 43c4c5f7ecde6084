// An open-loop load on a running `./tiergate up`: RATE chat requests a second for SECONDS, each sent
// at its time whether or not earlier ones have answered; prints the count, failures and p50/p99.
//   node benchmarks/open-loop.js RATE SECONDS [MODE]    (MODE: the x-tiergate-mode, default code;
//                                                        `none` sends none)
// Meant for watching the stack from outside (benchmarks/thread-cpu.sh); the harness (run.sh) is
// what measures added latency against the provider.
const http = require('http');

const rate = Number(process.argv[2]);
const seconds = Number(process.argv[3]);
const mode = process.argv[4] || 'code';
const agent = new http.Agent({keepAlive: true, maxSockets: 512});
const headers = {'content-type': 'application/json', authorization: 'Bearer tg-demo-key'};
if (mode !== 'none') headers['x-tiergate-mode'] = mode;
let ok = 0;
let failed = 0;
const latencies = [];

function send(sequence) {
  const body = JSON.stringify(
      {model: 'auto', messages: [{role: 'user', content: `Say hi (${sequence})`}]});
  const start = process.hrtime.bigint();
  const request = http.request({host: '127.0.0.1', port: 8080, path: '/v1/chat/completions',
    method: 'POST', agent, headers}, response => {
    response.resume();
    response.on('end', () => {
      response.statusCode === 200 ? ok++ : failed++;
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
  request.on('error', () => failed++);
  request.end(body);
}

const began = Date.now();
let sent = 0;
const ticker = setInterval(() => {
  const due = Math.floor((Date.now() - began) * rate / 1000);
  while (sent < due) send(sent++);
  if (Date.now() - began >= seconds * 1000) {
    clearInterval(ticker);
    setTimeout(() => {
      latencies.sort((a, b) => a - b);
      const at = q => (latencies[Math.floor(q * (latencies.length - 1))] || 0).toFixed(1);
      console.log(`rate=${rate} sent=${sent} ok=${ok} failed=${failed} p50=${at(0.5)}ms p99=${at(0.99)}ms`);
      process.exit(0);
    }, 3000);
  }
}, 2);
