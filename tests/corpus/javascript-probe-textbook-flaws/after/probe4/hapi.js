const Hapi = require('@hapi/hapi');
const { exec } = require('child_process');

const init = async () => {
  const server = Hapi.server({ port: 3000 });
  server.route({
    method: 'GET',
    path: '/hello',
    handler: (request, h) => h.response('<h1>' + request.query.name + '</h1>').type('text/html'), // EXPECT xss
  });
  server.route({
    method: 'GET',
    path: '/run',
    handler: (request, h) => {
      exec('ls ' + request.query.dir); // EXPECT cmd
      return 'ok';
    },
  });
  await server.start();
};
init();
