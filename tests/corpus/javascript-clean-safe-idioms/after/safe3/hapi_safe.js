const Hapi = require('@hapi/hapi');

const server = Hapi.server({ port: 3000 });
server.route({
  method: 'GET',
  path: '/json',
  handler: (request, h) => h.response({ q: request.query.q }),
});
server.route({
  method: 'GET',
  path: '/view',
  handler: (request, h) => h.view('page', { name: request.query.name }),
});
server.route({
  method: 'GET',
  path: '/text',
  handler: (request, h) => h.response('Hello ' + request.query.name).type('text/plain'),
});
