// The live page: sign in with an API key, start an analysis or open a PR's session, and show the
// session's events as they arrive. Event data holds PR text and model output: it only ever
// reaches the page through textContent (never innerHTML), and the CSP allows no other script.
"use strict";

const MAX_ITEMS = 2000; // per list: a long session must not grow the page without end
const state = {
  token: null,
  ws: null,
  user: null,
  sessions: new Map(), // name -> {lastEventId, view}
  retry: 0,
  signedOut: false,
};

function $(id) { return document.getElementById(id); }

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function setStatus(text) { $("status").textContent = text; }
function setError(text) { $("form-error").textContent = text || ""; }

function append(list, node) {
  list.appendChild(node);
  while (list.childElementCount > MAX_ITEMS) list.removeChild(list.firstElementChild);
}

async function signIn(apiKey) {
  const response = await fetch("/api/v1/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ api_key: apiKey }),
  });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok || !body || typeof body.access_token !== "string") {
    const detail = body && (body.detail || body.title);
    throw new Error(detail ? String(detail) : "sign-in failed (" + response.status + ")");
  }
  return body.access_token;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(scheme + "//" + location.host + "/api/v1/ws");
  state.ws = ws;
  ws.addEventListener("open", () => {
    ws.send(JSON.stringify({ type: "auth", token: state.token }));
  });
  ws.addEventListener("message", (message) => {
    let data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    onMessage(data);
  });
  ws.addEventListener("close", (event) => {
    if (state.ws !== ws) return;
    state.ws = null;
    if (event.code === 4401) {
      setStatus("Signed out: " + (event.reason || "authentication failed") + ". Sign in again.");
      $("signin").hidden = false;
      $("controls").hidden = true;
      return;
    }
    // Reconnect and resume every session from its last event id (4008: we fell behind).
    const delay = Math.min(30000, 500 * 2 ** state.retry++);
    setStatus("Connection lost (" + event.code + (event.reason ? ": " + event.reason : "") + "); reconnecting…");
    setTimeout(connect, delay);
  });
}

function send(message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) {
    state.ws.send(JSON.stringify(message));
    return true;
  }
  setError("Not connected yet; try again in a moment.");
  return false;
}

function onMessage(data) {
  switch (data.type) {
    case "welcome":
      state.retry = 0;
      state.user = data;
      setStatus("Signed in as " + data.user + " (" + data.org + ", " + data.role + ").");
      $("signin").hidden = true;
      $("controls").hidden = false;
      for (const [name, session] of state.sessions) {
        const message = { type: "join_session", session: name };
        if (session.lastEventId) message.last_event_id = session.lastEventId;
        send(message);
      }
      break;
    case "analysis":
      openView(data.session, "Analysis " + data.id);
      break;
    case "joined":
      openView(data.session).state.textContent = data.truncated
        ? "live (some earlier events are no longer kept)"
        : "live";
      break;
    case "left":
      break;
    case "event":
      onEvent(data.session, data.id, data.event || {});
      break;
    case "error":
      setError(String(data.message || data.code || "error"));
      break;
    default:
      break;
  }
}

function openView(name, title) {
  let session = state.sessions.get(name);
  if (!session) {
    session = { lastEventId: null, view: null };
    state.sessions.set(name, session);
  }
  if (!session.view) {
    const box = el("article", "session");
    box.dataset.session = name;
    const heading = el("h2");
    heading.appendChild(el("span", "name", title || name));
    const stateLine = el("span", "state", "joining…");
    heading.appendChild(stateLine);
    box.appendChild(heading);
    const tools = el("ul", "tools");
    box.appendChild(tools);
    const columns = el("div", "columns");
    const left = el("div");
    left.appendChild(el("h3", null, "Findings"));
    const findings = el("ul", "findings");
    left.appendChild(findings);
    const right = el("div");
    right.appendChild(el("h3", null, "Agent dialogue"));
    const dialogue = el("ol", "dialogue");
    right.appendChild(dialogue);
    columns.appendChild(left);
    columns.appendChild(right);
    box.appendChild(columns);
    const result = el("p", "result");
    box.appendChild(result);
    $("sessions").prepend(box);
    session.view = { box, state: stateLine, tools, toolLines: new Map(), findings, dialogue, result };
  }
  return session.view;
}

function onEvent(name, id, event) {
  const session = state.sessions.get(name);
  const view = openView(name);
  if (session) session.lastEventId = id;
  switch (event.type) {
    case "analysis_started":
    case "review_started":
      view.state.textContent = "running";
      break;
    case "analyzer_started":
      toolLine(view, event.tool, "running");
      break;
    case "analyzer_finished":
      toolLine(view, event.tool, event.error ? "failed: " + event.error : (event.findings || 0) + " finding(s)");
      break;
    case "finding":
      append(view.findings, findingItem(event.finding || event));
      break;
    case "agent_message": {
      const item = el("li", "agent-message");
      item.appendChild(el("span", "source", event.source || "agent"));
      item.appendChild(el("pre", "content", event.content || ""));
      append(view.dialogue, item);
      break;
    }
    case "agent_dialogue_done":
      if (event.skipped) append(view.dialogue, el("li", "muted", "Dialogue skipped: " + event.skipped));
      break;
    case "result":
      view.state.textContent = "done";
      view.result.textContent = resultText(event);
      break;
    case "error":
      view.state.textContent = "failed";
      view.result.textContent = "Failed: " + String(event.message || event.error || "unknown error");
      break;
    default:
      break;
  }
}

function toolLine(view, tool, text) {
  const name = String(tool || "analyzer");
  let line = view.toolLines.get(name);
  if (!line) {
    if (view.toolLines.size >= 100) return;
    line = el("li");
    view.toolLines.set(name, line);
    view.tools.appendChild(line);
  }
  line.textContent = name + ": " + text;
}

function findingItem(finding) {
  const severity = ["error", "warning", "note"].includes(finding.severity) ? " sev-" + finding.severity : "";
  const item = el("li", "finding" + severity);
  const where = String(finding.path || "") + (finding.line ? ":" + finding.line : "");
  item.appendChild(el("div", "where", where));
  item.appendChild(el("div", "message", finding.message || ""));
  item.appendChild(el("div", "rule", [finding.severity, finding.tool, finding.rule_id].filter(Boolean).join(" · ")));
  return item;
}

function resultText(event) {
  const parts = [];
  if (event.conclusion) parts.push("Conclusion: " + event.conclusion);
  const total = typeof event.findings_total === "number" ? event.findings_total : event.findings;
  if (typeof total === "number") parts.push(total + " finding(s)");
  if (event.status) parts.push("status: " + event.status);
  return parts.join(" · ") || "Done.";
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    setError("");
    const key = $("api-key").value.trim();
    try {
      state.token = await signIn(key);
      $("api-key").value = "";
      setStatus("Connecting…");
      connect();
    } catch (err) {
      setStatus("Not signed in: " + err.message);
    }
  });
  $("analysis-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setError("");
    send({
      type: "start_analysis",
      request: { repository: $("repository").value.trim(), base: $("base").value.trim(), head: $("head").value.trim() },
    });
  });
  $("session-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setError("");
    const value = $("pr").value.trim();
    if (!/^[^/#\s]+\/[^/#\s]+#\d+$/.test(value)) {
      setError("Write the pull request as owner/repo#number.");
      return;
    }
    const name = "review:" + value.toLowerCase();
    openView(name, value);
    send({ type: "join_session", session: name });
  });
});
