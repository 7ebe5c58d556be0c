// A Node.js app with no dependencies: answers every request on $PORT with a page that
// names its version, and stops cleanly on SIGTERM (what Slipway sends before replacing it).
const http = require('node:http');

const version = process.env.APP_VERSION || '1.0.0';
const port = Number(process.env.PORT || 8080);

const server = http.createServer((request, response) => {
  const body = `<!doctype html>
<title>node-hello</title>
<h1>Hello from node-hello</h1>
<p>version ${version}</p>
`;
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
});

server.listen(port, () => console.log(`node-hello ${version} listening on port ${port}`));

process.on('SIGTERM', () => {
  console.log('SIGTERM received: finishing open requests');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
