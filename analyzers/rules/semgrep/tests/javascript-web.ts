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

// --- framework sink APIs from each framework's documentation --------------------------------

@Controller("pages")
export class PagesController {
  @Get("hello")
  hello(@Query("name") name: string): string {
    // ruleid: js-taint-xss
    return `<h1>Hello ${name}</h1>`;
  }

  @Get("count")
  count(@Query("name") name: string): object {
    // ok: js-taint-xss
    return { name };
  }

  @Get("go")
  @Redirect()
  go(@Query("next") next: string): { url: string } {
    // ruleid: js-taint-open-redirect
    return { url: next };
  }

  @Get("host")
  host(@HostParam("account") account: string): string {
    // ruleid: js-taint-xss
    return "<p>" + account;
  }
}

export async function POST(request: NextRequest): Promise<Response> {
  const form = await request.formData();
  const back = form.get("back") as string;
  if (back === "/dashboard") {
    // ok: js-taint-open-redirect
    return NextResponse.redirect(back);
  }
  // ruleid: js-taint-open-redirect
  redirect(back);
  // ruleid: js-taint-xss
  return new Response(`<p>${back}</p>`, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

export async function PUT(request: NextRequest): Promise<Response> {
  const back = request.nextUrl.searchParams.get("back") ?? "/";
  // ok: js-taint-xss
  const text = new Response(`${back}`, { headers: { "Content-Type": "text/plain" } });
  // ruleid: js-taint-open-redirect
  return NextResponse.redirect(new URL(back, request.url));
}

export default async function Page({ searchParams }: { searchParams: Record<string, string> }) {
  // ruleid: js-taint-ssrf
  const data = await fetch(searchParams.feed);
  return data.json();
}

export function search(req: Request, res: Response): void {
  const pattern = req.query.q as string;
  // ruleid: js-taint-regex-injection
  const matcher: RegExp = new RegExp(pattern, "g");
  // ok: js-taint-regex-injection
  const safe: RegExp = new RegExp(escapeStringRegexp(pattern), "g");
  res.json({ hits: ["a", "b"].filter((x) => matcher.test(x) || safe.test(x)) });
}
