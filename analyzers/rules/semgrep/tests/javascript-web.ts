import { exec } from "node:child_process";
import * as fs from "node:fs/promises";
import Koa from "koa";
import type { Request, Response } from "express";

const app = new Koa();

app.use(async (ctx) => {
  const name = ctx.query.name as string;
  // ruleid: js-taint-command-injection
  exec(`convert ${name} out.png`);
  // ruleid: js-taint-xss
  ctx.body = `<h1>${name}</h1>`;
  // ok: js-taint-xss
  ctx.body = { name };
});

export async function show(req: Request, res: Response): Promise<void> {
  // ruleid: js-taint-path-traversal
  const text = await fs.readFile(`/srv/docs/${req.params.doc}`, "utf8");
  // ruleid: js-taint-ssrf
  const other = await fetch(req.body.callback as string);
  // ruleid: js-taint-xss
  res.status(200).send(`<pre>${text}</pre>` + req.query.q);
  void other;
}

@Controller("files")
export class FilesController {
  @Get()
  read(@Query("name") name: string): string {
    // ruleid: js-taint-path-traversal
    return readFileSync(`/srv/files/${name}`, "utf8");
  }

  @Get("home")
  home(@Query("name") name: string): string {
    // ok: js-taint-path-traversal
    return readFileSync(`/srv/files/${basename(name)}`, "utf8");
  }

  @Post("run")
  async run(@Body() body: RunDto): Promise<string> {
    // ruleid: js-taint-command-injection
    return execSync(`tool ${body.args}`).toString();
  }
}

export async function GET(request: NextRequest): Promise<Response> {
  const next = request.nextUrl.searchParams.get("next");
  // ruleid: js-taint-ssrf
  const upstream = await fetch(next as string);
  // ok: js-taint-ssrf
  const fixed = await fetch("https://api.example.com/status");
  return new Response(await upstream.text() + (await fixed.text()));
}

const renderTitle = (res: Response, title: string): void => {
  // ruleid: js-taint-xss
  res.send(`<h1>${title}</h1>`);
};

class Reports {
  async fetchReport(url: string): Promise<string> {
    // ruleid: js-taint-ssrf
    const reply = await fetch(url);
    return reply.text();
  }

  async fetchFixed(url: string): Promise<string> {
    // ok: js-taint-ssrf
    const reply = await fetch(url);
    return reply.text();
  }

  async handle(req: Request, res: Response): Promise<void> {
    await this.fetchReport(req.query.url as string);
    await this.fetchFixed("https://reports.example.com/daily");
    res.sendStatus(204);
  }
}

export function titled(req: Request, res: Response): void {
  renderTitle(res, req.query.title as string);
}
