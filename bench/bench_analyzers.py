"""What do the analyzers cost under the bot, cold, warm from the cache, and beside the raw tools?

Run by hand:  .venv/bin/python bench/bench_analyzers.py [--runs 3] [--quick] [--keep]
(--quick: the cache and CPU figures only, about a minute on 2 busy cores; ANALYZER_POOL=0 in the
environment runs the cache figures without the warm analyzer pool)

Builds a throwaway git repository: a base commit on `main` and a `feature` branch whose one commit
adds or modifies 20 files across languages (Python, JavaScript, TypeScript, Go, Java, Ruby, PHP, C,
shell, a Dockerfile, a GitHub Actions workflow, a plain YAML file), each 50-300 lines made by
repeating realistic function templates, with some real problems in them. Then, in the same run,
times (median of --runs):

  cache  the review of main..feature the way `review_local` runs it (bot.pipeline.analyze.analyze_changes),
         with a fresh analyzers.cache.MemoryCache (cold); then one more commit on `feature` that
         changes ONE file, and the re-review with the same cache (warm) and with no cache at all
  raw    each analyzer's own command line (the argv its `command()` builds, the same environment)
         run directly with subprocess on the head versions of the same files: one tool after the
         other, and all at once (the bot runs its analyzers concurrently, so that is the floor)

  cpu    CPU seconds per small PR (main..small: 3 modified files, no cache): this process plus its
         children (getrusage RUSAGE_SELF + RUSAGE_CHILDREN, and the warm analyzer pool's live
         children read from /proc), with the pool (the default) and without it (ANALYZER_POOL=0: each
         Python tool a CLI run), beside the same tools' CLIs run raw on the same files

and prints the ratios, each analyzer's time under the bot (AnalyzerResult.duration) beside the raw
tool's, and how many files each analyzer ran on in the warm re-review (AnalyzerResult.files).
One untimed review and one untimed raw round come first: tool versions are then cached in the
process (as in the long-running App) and files are in the page cache. No network is used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import bot.pipeline.run
from analyzers.cache import AnalysisCache, MemoryCache
from analyzers.pool import active_pools, shutdown_pools
from bot.config import ReviewSettings
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.local import review_local
from bot.pipeline.policy import build_analyzers

from rawtools import RawCommand, git, median, raw_alone, raw_at_once, raw_commands, repeat

MAX_RUNS = 10
PUSHED_FILE = "app/service.py"  # the one file the second push changes
SMALL_PR = ("app/service.py", "config/services.yaml", "scripts/backup.sh")  # main..small modifies these

# ---------------------------------------------------------------------------------------------
# The pull request's files: templates repeated with @N@ replaced by a number, plus problems.
# Credentials are split so that no scanner flags this file itself.

FAKE_AWS_KEY = "AKIA" + "Z7Q4TLPJ3XW2RM5N"
FAKE_PASSWORD = "hunter2" + "-Sup3rS3cret!"

PY_HEAD = '''"""Record handling for the ingest service."""

from __future__ import annotations

import hashlib
import subprocess

import yaml

'''
PY_FUNC = '''
def process_record_@N@(record, options=None):
    """Normalise record @N@ and return its cleaned fields."""
    options = options or {}
    fields = {}
    for key, value in record.items():
        if value is None:
            continue
        fields[key.strip().lower()] = str(value).strip()
    if options.get("strict") and not fields:
        raise ValueError("empty record @N@")
    return fields

'''
PY_BAD = """
DB_PASSWORD = "@PASSWORD@"
AWS_ACCESS_KEY_ID = "@AWS_KEY@"


def run_command(cmd, args=[]):
    args.append(cmd)
    return subprocess.call(cmd, shell=True)


def load_config(text):
    return yaml.load(text)


def find_user(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
    return cursor.fetchone()


def checksum(data):
    try:
        return hashlib.md5(data).hexdigest()
    except:
        pass

""".replace("@PASSWORD@", FAKE_PASSWORD).replace("@AWS_KEY@", FAKE_AWS_KEY)

JS_HEAD = """'use strict';

const childProcess = require('child_process');
const express = require('express');

const app = express();
"""
JS_FUNC = """
function formatItem@N@(item, opts) {
  const options = Object.assign({ currency: 'EUR' }, opts);
  if (!item || typeof item.price !== 'number') {
    return null;
  }
  const total = item.price * (item.quantity || 1);
  return {
    id: item.id,
    label: `${item.name} (#@N@)`,
    total: total.toFixed(2) + ' ' + options.currency,
  };
}
"""
JS_BAD = """
app.get('/files', (req, res) => {
  childProcess.exec('ls -l ' + req.query.dir, (err, out) => res.send(out));
});

app.post('/calc', (req, res) => {
  res.send(String(eval(req.body.expression)));
});

function showName(el, name) {
  el.innerHTML = '<b>' + name + '</b>';
}

function findOrder(db, req) {
  return db.query('SELECT * FROM orders WHERE id = ' + req.params.id);
}
"""

TS_HEAD = """import jwt from 'jsonwebtoken';
import { HttpClient, Resource } from './http';

"""
TS_FUNC = """
export async function fetchResource@N@(client: HttpClient, id: string): Promise<Resource | undefined> {
  const response = await client.get(`/api/resources/${encodeURIComponent(id)}?v=@N@`);
  if (response.status === 404) {
    return undefined;
  }
  if (response.status >= 400) {
    throw new Error(`request @N@ failed: ${response.status}`);
  }
  return response.body as Resource;
}
"""
TS_BAD = """
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

export function issueToken(user: string): string {
  return jwt.sign({ sub: user }, '', { algorithm: 'none' });
}
"""

GO_HEAD = """package handler

import (
	"crypto/md5"
	"crypto/tls"
	"database/sql"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

type Entry struct {
	Name string
	Size int
}
"""
GO_FUNC = """
func ParseEntry@N@(raw map[string]string) (*Entry, error) {
	name, ok := raw["name"]
	if !ok || name == "" {
		return nil, fmt.Errorf("entry @N@: missing name")
	}
	size, err := strconv.Atoi(raw["size"])
	if err != nil {
		return nil, fmt.Errorf("entry @N@: bad size: %w", err)
	}
	return &Entry{Name: strings.TrimSpace(name), Size: size}, nil
}
"""
GO_BAD = """
func ListDir(dir string) ([]byte, error) {
	return exec.Command("sh", "-c", "ls "+dir).Output()
}

func Client() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true}
}

func FindUser(db *sql.DB, id string) (*sql.Rows, error) {
	return db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = %s", id))
}

func Sum(data []byte) [16]byte {
	return md5.Sum(data)
}
"""

JAVA_HEAD = """package com.example.app;

import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.Statement;

public class @CLASS@ {
"""
JAVA_FUNC = """
    public static String normalize@N@(String input) {
        if (input == null || input.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (char c : input.toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                out.append(Character.toLowerCase(c));
            }
        }
        return out.toString() + "-@N@";
    }
"""
JAVA_BAD = """
    public static Process ping(String host) throws Exception {
        return Runtime.getRuntime().exec("ping -c 1 " + host);
    }

    public static ResultSet find(Statement stmt, String id) throws Exception {
        return stmt.executeQuery("SELECT * FROM users WHERE id = " + id);
    }

    public static byte[] digest(byte[] data) throws Exception {
        return MessageDigest.getInstance("MD5").digest(data);
    }
"""
JAVA_TAIL = "}\n"

RB_HEAD = """require 'yaml'

class ReportWorker
"""
RB_FUNC = """
  def summarize_@N@(rows)
    return {} if rows.nil? || rows.empty?

    totals = Hash.new(0)
    rows.each do |row|
      totals[row[:category]] += row[:amount].to_f
    end
    totals.transform_values { |v| v.round(2) }
  end
"""
RB_BAD = """
  def unpack(params)
    system("tar xf #{params[:file]}")
    eval(params[:code])
  end

  def restore(data)
    Marshal.load(data)
  end

  def find(name)
    User.where("name = '#{name}'")
  end
"""
RB_TAIL = "end\n"

PHP_HEAD = """<?php

declare(strict_types=1);
"""
PHP_FUNC = """
function render_row_@N@(array $row): string
{
    $cells = [];
    foreach ($row as $key => $value) {
        $text = htmlspecialchars((string) $value);
        $cells[] = '<td class="' . htmlspecialchars($key) . '">' . $text . '</td>';
    }
    return '<tr data-row="@N@">' . implode('', $cells) . '</tr>';
}
"""
PHP_BAD = """
function list_dir(): void
{
    system("ls " . $_GET['dir']);
    echo $_GET['name'];
}

function load_session($db)
{
    $session = unserialize($_POST['data']);
    return mysqli_query($db, "SELECT * FROM users WHERE id = " . $_GET['id']);
}
"""

C_HEAD = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 256

struct field {
    int id;
    char value[FIELD_MAX];
};
"""
C_FUNC = """
int parse_field_@N@(const char *line, struct field *out)
{
    size_t len;
    if (line == NULL || out == NULL) {
        return -1;
    }
    len = strnlen(line, FIELD_MAX - 1);
    memcpy(out->value, line, len);
    out->value[len] = '\\0';
    out->id = @N@;
    return 0;
}
"""
C_BAD = """
void copy_name(char *dest, const char *name)
{
    char buf[64];
    strcpy(buf, name);
    sprintf(dest, "%s", buf);
}

int run(const char *cmd, const char *user)
{
    printf(user);
    return system(cmd);
}
"""

SH_HEAD = """#!/usr/bin/env bash
set -euo pipefail

BACKUP_ROOT="${BACKUP_ROOT:-/var/backups}"
"""
SH_FUNC = """
backup_dir_@N@() {
  local src="$1"
  local dest="${BACKUP_ROOT}/@N@"
  if [ ! -d "$src" ]; then
    echo "skip: $src is not a directory" >&2
    return 1
  fi
  mkdir -p "$dest"
  tar -czf "$dest/$(date +%Y%m%d).tar.gz" -C "$src" .
}
"""
SH_BAD = """
cleanup() {
  rm -rf $TARGET/*
  cd $1
  for f in $(ls *.log); do
    echo $f
  done
}
"""

DOCKER_HEAD = """FROM python:3.12-slim AS build

WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
"""
DOCKER_STEP = """
# component @N@
COPY components/c@N@ /src/components/c@N@
RUN python -m compileall -q /src/components/c@N@ \\
    && python -m pip check
"""
DOCKER_BAD = """
FROM ubuntu:latest
RUN apt-get update && apt-get install -y curl git
ADD https://example.com/tool.tar.gz /opt/
RUN cd /opt && tar xzf tool.tar.gz
COPY --from=build /src /app
RUN sudo chmod -R 777 /app
CMD python /app/main.py
"""

WF_HEAD = """name: ci

on:
  pull_request_target:
  push:
    branches: [main]

permissions: write-all

jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: someone/setup-tool@main
      - run: echo "Thanks for ${{ github.event.pull_request.title }}"
      - run: npm ci && npm test
"""
WF_JOB = """
  test-@N@:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11
      - name: shard @N@
        env:
          SHARD: "@N@"
        run: |
          python -m pip install -r requirements.txt
          python -m pytest --shard "$SHARD"
"""

YAML_HEAD = """# service configuration
version: 3
logging:
  level: info
  format: json
"""
YAML_ITEM = """
service_@N@:
  image: registry.local/service-@N@:1.4.2
  replicas: 2
  ports:
    - "80@N@:8080"
  environment:
    SERVICE_ID: "@N@"
    LOG_LEVEL: info
"""
YAML_BAD = """
defaults: &defaults
  enabled: yes
  mode: 0755
  retries: 3
  retries: 5
extra:
  <<: *undeclared
"""


@dataclass(frozen=True)
class Source:
    """A file of the pull request: head text, template repeated ``reps`` times, problems midway."""

    path: str
    head: str
    template: str
    reps: int
    bad: str = ""
    tail: str = ""
    in_base: bool = False  # modified by the PR (else added); the base lacks problems and 3 reps

    def text(self, *, base: bool = False) -> str:
        reps = max(self.reps - 3, 1) if base else self.reps
        funcs = [self.template.replace("@N@", str(n)) for n in range(1, reps + 1)]
        middle = len(funcs) // 2
        body = funcs[:middle] + ([] if base else [self.bad]) + funcs[middle:]
        return self.head + "".join(body) + self.tail

    def java(self, name: str) -> Source:
        return replace(self, head=self.head.replace("@CLASS@", name))


SOURCES: tuple[Source, ...] = (
    Source("app/service.py", PY_HEAD, PY_FUNC, 18, PY_BAD, in_base=True),
    Source("app/db.py", PY_HEAD, PY_FUNC, 12, PY_BAD, in_base=True),
    Source("app/handlers.py", PY_HEAD, PY_FUNC, 22),
    Source("web/server.js", JS_HEAD, JS_FUNC, 15, JS_BAD),
    Source("web/client.js", JS_HEAD, JS_FUNC, 8, in_base=True),
    Source("web/api.ts", TS_HEAD, TS_FUNC, 20, TS_BAD),
    Source("web/store.ts", TS_HEAD, TS_FUNC, 6),
    Source("internal/handler/entries.go", GO_HEAD, GO_FUNC, 16, GO_BAD, in_base=True),
    Source("internal/handler/parse.go", GO_HEAD, GO_FUNC, 8),
    Source("src/main/java/com/example/app/App.java", JAVA_HEAD, JAVA_FUNC, 18, JAVA_BAD, JAVA_TAIL).java(
        "App"
    ),
    Source("src/main/java/com/example/app/Text.java", JAVA_HEAD, JAVA_FUNC, 6, "", JAVA_TAIL).java("Text"),
    Source("lib/report_worker.rb", RB_HEAD, RB_FUNC, 20, RB_BAD, RB_TAIL),
    Source("public/index.php", PHP_HEAD, PHP_FUNC, 20, PHP_BAD),
    Source("native/field.c", C_HEAD, C_FUNC, 16, C_BAD, in_base=True),
    Source("scripts/backup.sh", SH_HEAD, SH_FUNC, 14, SH_BAD, in_base=True),
    Source("scripts/setup.sh", SH_HEAD, SH_FUNC, 5),
    Source("Dockerfile", DOCKER_HEAD, DOCKER_STEP, 12, DOCKER_BAD),
    Source(".github/workflows/ci.yml", WF_HEAD, WF_JOB, 10),
    Source("config/services.yaml", YAML_HEAD, YAML_ITEM, 14, YAML_BAD, in_base=True),
    Source("config/defaults.yml", YAML_HEAD, YAML_ITEM, 8),
)
BASE_ONLY = {
    "README.md": "# demo service\n\nA repository made by bench_analyzers.py.\n",
    "requirements.txt": "pyyaml==6.0.1\nrequests==2.32.3\n",
}
PUSH_SNIPPET = '''

def push_fix(record):
    """Added by the one-file push."""
    return process_record_1(record, {"strict": True})
'''

# ---------------------------------------------------------------------------------------------
# The repository.


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def build_repo(repo: Path) -> str:
    """`main` with the base versions, `feature` adding/modifying the 20 files; returns its sha."""
    git(repo.parent, "init", "--quiet", "--initial-branch=main", repo.name)
    for path, text in BASE_ONLY.items():
        write(repo, path, text)
    for src in SOURCES:
        if src.in_base:
            write(repo, src.path, src.text(base=True))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", "base")
    git(repo, "checkout", "--quiet", "-b", "feature")
    for src in SOURCES:
        write(repo, src.path, src.text())
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", "feature: 20 files")
    return git(repo, "rev-parse", "HEAD").strip()


def build_small_branch(repo: Path) -> None:
    """`small`: from `main`, one commit modifying the three files of SMALL_PR; `feature` checked out again."""
    git(repo, "checkout", "--quiet", "-b", "small", "main")
    for src in SOURCES:
        if src.path in SMALL_PR:
            write(repo, src.path, src.text())
    git(repo, "commit", "--quiet", "--no-gpg-sign", "--all", "-m", "small: 3 files")
    git(repo, "checkout", "--quiet", "feature")


def push_one_file(repo: Path, feature_sha: str) -> None:
    """Reset `feature` to its first commit, then commit a change to ONE file on it."""
    git(repo, "reset", "--quiet", "--hard", feature_sha)
    with (repo / PUSHED_FILE).open("a", encoding="utf-8") as handle:
        handle.write(PUSH_SNIPPET)
    git(repo, "commit", "--quiet", "--no-gpg-sign", "--all", "-m", f"push: change {PUSHED_FILE}")


# ---------------------------------------------------------------------------------------------
# The bot: bot.pipeline.local.review_local with a cache, timing its analyze_changes step too.


@dataclass
class BotRun:
    total: float  # the whole review: refs, policy, merge-base, diff, analyze_changes
    analyze: float  # analyze_changes alone: write head files, run analyzers, filter
    outcome: ReviewOutcome


async def bot_review(
    repo: Path, cache: AnalysisCache | None, base: str = "main", head: str = "feature"
) -> BotRun:
    analyze_times: list[float] = []
    real_analyze = bot.pipeline.run.analyze_changes

    async def timed_analyze(*args: Any, **kwargs: Any) -> ReviewOutcome:
        started = time.perf_counter()
        try:
            return await real_analyze(*args, **kwargs)
        finally:
            analyze_times.append(time.perf_counter() - started)

    bot.pipeline.run.analyze_changes = timed_analyze  # run_review looks it up in its module
    try:
        started = time.perf_counter()
        outcome = await review_local(repo, base=base, head=head, settings=ReviewSettings(), cache=cache)
        total = time.perf_counter() - started
    finally:
        bot.pipeline.run.analyze_changes = real_analyze
    return BotRun(total, sum(analyze_times), outcome)


def run_bot(repo: Path, cache: AnalysisCache | None, head: str = "feature") -> BotRun:
    run = asyncio.run(bot_review(repo, cache, head=head))
    errors = run.outcome.errors
    if errors:
        print(f"warning: the bot reported analyzer errors: {errors}")
    return run


# ---------------------------------------------------------------------------------------------
# CPU time: this process and its children, the warm pool's included while they are still alive.


def own_and_reaped_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)  # children that ended (and theirs)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


def pool_children_cpu() -> dict[int, float]:
    """CPU seconds so far of each live child of the analyzer pool (its /proc stat utime + stime)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for pool in active_pools():
        for pid in pool.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # ended meanwhile: RUSAGE_CHILDREN counts it
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def cpu_of(action: Callable[[], object]) -> float:
    """CPU seconds spent by ``action`` here and in every child, pool children included: a child
    alive at the start and reaped during it is in RUSAGE_CHILDREN whole, minus what it had used."""
    pool_before, before = pool_children_cpu(), own_and_reaped_cpu()
    action()
    after, pool_after = own_and_reaped_cpu(), pool_children_cpu()
    return after - before + sum(pool_after.values()) - sum(pool_before.values())


def small_pr_cpu(repo: Path, runs: int) -> tuple[float, float]:
    """Median CPU seconds of one review of main..small without a cache, with the analyzer pool and
    without it (ANALYZER_POOL=0), the two measured in turn so that both see the same machine."""
    previous = os.environ.get("ANALYZER_POOL")
    on: list[float] = []
    off: list[float] = []
    try:
        for figures in [None, *([on, off] * runs)]:  # first an untimed review: the pool warm
            os.environ["ANALYZER_POOL"] = "0" if figures is off else "1"
            took = cpu_of(lambda: run_bot(repo, None, head="small"))
            if figures is not None:
                figures.append(took)
    finally:
        if previous is None:
            os.environ.pop("ANALYZER_POOL", None)
        else:
            os.environ["ANALYZER_POOL"] = previous
    return median(on), median(off)


def cache_runs(repo: Path, feature_sha: str, runs: int, *, no_cache: bool) -> dict[str, list[BotRun]]:
    """Per run: a cold review with a fresh cache, the one-file push, the warm re-review with the same
    cache, and (``no_cache``) the same re-review without a cache."""
    found: dict[str, list[BotRun]] = {"cold": [], "warm": [], "nocache": []}
    for _ in range(runs):
        git(repo, "reset", "--quiet", "--hard", feature_sha)
        cache = MemoryCache()
        found["cold"].append(run_bot(repo, cache))
        push_one_file(repo, feature_sha)
        found["warm"].append(run_bot(repo, cache))
        if no_cache:
            found["nocache"].append(run_bot(repo, None))
    return found


def print_cache(found: dict[str, list[BotRun]]) -> None:
    cold, warm, nocache = found["cold"], found["warm"], found["nocache"]
    cold_s, warm_s = median([r.total for r in cold]), median([r.total for r in warm])
    nocache_s = median([r.total for r in nocache])
    print("-- cache: the bot's whole review (refs, policy, git diff, write files, analyze, filter)")
    print(f"bot   cold review, fresh MemoryCache            {cold_s:7.3f} s")
    print(f"bot   re-review after the push, same cache      {warm_s:7.3f} s")
    if nocache:
        print(f"bot   re-review after the push, no cache        {nocache_s:7.3f} s")
    analyze = {
        label: median([r.analyze for r in runs]) for label, runs in (("warm", warm), ("no cache", nocache))
    }
    print("  of which analyze_changes: " + ", ".join(f"{k} {v:.3f} s" for k, v in analyze.items() if v))
    print(f"ratio warm / cold (issue 10: <= 0.2)            {warm_s / cold_s:7.2f}")
    print(f"ratio cold / warm                               {cold_s / warm_s:7.2f}")
    if nocache:
        print(f"ratio no cache / warm                           {nocache_s / warm_s:7.2f}")
    print("files each analyzer ran on (AnalyzerResult.files):")
    for label, runs in (("warm:    ", warm), ("no cache:", nocache)):
        if runs:
            print(f"  {label} " + ", ".join(f"{x.tool} {x.files}" for x in runs[-1].outcome.results))
    print("each analyzer's time in the warm re-review (median):")
    tools = [x.tool for x in warm[-1].outcome.results if x.files]
    took = {
        t: median([next(x.duration for x in r.outcome.results if x.tool == t) for r in warm]) for t in tools
    }
    print("  " + ", ".join(f"{tool} {seconds:.3f} s" for tool, seconds in took.items()))


def print_raw(
    nocache: list[BotRun],
    head_dir: Path,
    changed: list[str],
    analyzers: list[Any],
    sink: Path,
    home: Path,
    runs: int,
) -> None:
    """The re-review without a cache beside the raw tools on the same head files."""
    cmds = raw_commands(head_dir, sorted(changed), analyzers, home)
    for cmd in cmds:  # untimed round
        raw_alone(cmd, head_dir, sink)
    alone = {cmd.tool: repeat(runs, lambda cmd=cmd: raw_alone(cmd, head_dir, sink)) for cmd in cmds}
    together = [raw_at_once(cmds, head_dir, sink) for _ in range(runs)]
    at_once = median([wall for wall, _ in together])
    at_once_each = {cmd.tool: median([each[cmd.tool] for _, each in together]) for cmd in cmds}
    one_by_one = sum(alone.values())
    nocache_s = median([r.total for r in nocache])
    nocache_analyze = median([r.analyze for r in nocache])
    print("-- bot (re-review, no cache) vs raw tools on the same head files")
    print(f"raw   every tool, one after the other           {one_by_one:7.3f} s")
    print(f"raw   every tool at once                        {at_once:7.3f} s")
    print(f"ratio bot / raw (one after the other)           {nocache_s / one_by_one:7.2f}")
    print(f"ratio bot / raw (at once, as the bot runs)      {nocache_s / at_once:7.2f}")
    print(f"ratio analyze_changes / raw at once             {nocache_analyze / at_once:7.2f}")
    print(f"bot overhead over raw at once                   {nocache_s - at_once:7.3f} s")
    print("per analyzer: bot duration (all running at once) | raw alone | raw when all run at once")
    print(f"{'tool':<15}{'files':>6}{'bot':>10}{'raw files':>11}{'alone':>9}{'at once':>10}")
    raw_files = {cmd.tool: cmd.files for cmd in cmds}
    files = {x.tool: x.files for x in nocache[-1].outcome.results}
    for analyzer in analyzers:
        name = analyzer.name
        bot_s = median([next(x.duration for x in r.outcome.results if x.tool == name) for r in nocache])
        row = f"{name:<15}{files.get(name, 0):>6}{bot_s:9.3f}s"
        if name in alone:
            row += f"{raw_files[name]:>11}{alone[name]:8.3f}s{at_once_each[name]:9.3f}s"
        else:
            row += "   (in-process rules, no raw tool)"
        print(row)
    kept = nocache[-1].outcome
    print(f"findings: bot {len(kept.findings)} on changed lines of {kept.files_analyzed} files")


def print_cpu(repo: Path, tmp: Path, analyzers: list[Any], sink: Path, home: Path, runs: int) -> None:
    """CPU per small PR: the bot with and without the pool, and the raw CLIs on its files."""
    small_cpu, small_cpu_off = small_pr_cpu(repo, max(runs, 5))
    small_dir = tmp / "small"
    for path in SMALL_PR:
        write(small_dir, path, git(repo, "show", f"small:{path}"))
    small_cmds = raw_commands(small_dir, sorted(SMALL_PR), analyzers, home)
    py_cmds = [c for c in small_cmds if c.tool in ("bandit", "detect-secrets", "yamllint")]

    def raw_rounds(cmds: list[RawCommand]) -> None:
        for _ in range(runs):
            for cmd in cmds:
                raw_alone(cmd, small_dir, sink)

    raw_rounds(small_cmds)  # untimed round
    raw_cpu = cpu_of(lambda: raw_rounds(small_cmds)) / runs
    raw_py_cpu = cpu_of(lambda: raw_rounds(py_cmds)) / runs
    print(f"-- CPU per small PR (main..small: {', '.join(SMALL_PR)}; no cache; self + children)")
    print(f"   median of {max(runs, 5)} reviews each, pool on and off in turn; raw: mean of {runs} rounds")
    print(f"bot   analyzer pool on (the default)            {small_cpu:7.3f} CPU-s")
    print(f"bot   analyzer pool off (ANALYZER_POOL=0)       {small_cpu_off:7.3f} CPU-s")
    print(f"raw   the same tools' CLIs on the same files    {raw_cpu:7.3f} CPU-s")
    print(f"raw   of which bandit, detect-secrets, yamllint {raw_py_cpu:7.3f} CPU-s")
    print(f"ratio bot (pool on) / raw CLIs                  {small_cpu / raw_cpu:7.2f}")
    print(f"ratio bot (pool off) / raw CLIs                 {small_cpu_off / raw_cpu:7.2f}")
    print(f"ratio pool on / pool off                        {small_cpu / small_cpu_off:7.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help=f"runs per figure (1-{MAX_RUNS}); the median is printed"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the cache and CPU figures only: no re-review without cache, no raw tools on its 20 files",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()
    runs = min(max(args.runs, 1), MAX_RUNS)

    tmp = Path(tempfile.mkdtemp(prefix="bench-analyzers-"))
    try:
        repo = tmp / "repo"
        feature_sha = build_repo(repo)
        build_small_branch(repo)
        changed = git(repo, "diff", "--name-only", "main", "feature").split()
        lines = sum(len((repo / p).read_bytes().splitlines()) for p in changed)
        run_bot(repo, None)  # untimed: tool versions cached, files in the page cache, the pool warm
        found = cache_runs(repo, feature_sha, runs, no_cache=not args.quick)
        sink, home = tmp / "sink", tmp / "home"
        for folder in (sink, home):
            folder.mkdir()
        analyzers = build_analyzers(ReviewSettings())
        print(
            f"change: main..feature, {len(changed)} files, {lines} lines; then a push changing {PUSHED_FILE}"
        )
        pool = "off (ANALYZER_POOL=0)" if os.environ.get("ANALYZER_POOL", "1") == "0" else "on"
        print(f"cores: {os.cpu_count()}    runs per figure: {runs} (median)    analyzer pool: {pool}")
        print_cache(found)
        if not args.quick:
            head_dir = tmp / "head"
            for path in changed:
                write(head_dir, path, git(repo, "show", f"feature:{path}"))
            print_raw(found["nocache"], head_dir, changed, analyzers, sink, home, runs)
        print_cpu(repo, tmp, analyzers, sink, home, runs)
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
        if args.keep:
            print(f"repository kept in {repo}")
    finally:
        shutdown_pools()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
