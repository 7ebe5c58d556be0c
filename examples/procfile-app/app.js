// Started by the Procfile's web: line. Answers on $PORT; stops cleanly on SIGTERM.
const http = require('node:http');

const port = Number(process.env.PORT || 8080);
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  response.end('Hello from procfile-app\n');
});

server.listen(port, () => console.log(`procfile-app listening on port ${port}`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
