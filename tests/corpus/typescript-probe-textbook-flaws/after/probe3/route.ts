import { NextRequest, NextResponse } from 'next/server';

export async function GET(req: NextRequest) {
  const target = req.nextUrl.searchParams.get('url');
  const upstream = await fetch(target!); // EXPECT ssrf
  return NextResponse.json({ status: upstream.status });
}
