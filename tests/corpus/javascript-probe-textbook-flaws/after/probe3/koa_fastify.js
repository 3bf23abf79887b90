const Koa = require('koa');
const fastify = require('fastify')();
const { exec } = require('child_process');
const app = new Koa();

app.use(async (ctx) => {
  if (ctx.path === '/hello') {
    ctx.body = '<h1>' + ctx.query.name + '</h1>'; // EXPECT xss
  } else if (ctx.path === '/go') {
    ctx.redirect(ctx.query.next); // EXPECT redirect
  }
});

fastify.get('/greet', async (request, reply) => {
  reply.type('text/html').send('<p>' + request.query.name + '</p>'); // EXPECT xss
});

fastify.get('/exec', async (request, reply) => {
  exec('convert ' + request.query.file, () => reply.send('ok')); // EXPECT cmd
});
