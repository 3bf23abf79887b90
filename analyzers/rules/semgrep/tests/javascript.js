const cp = require('child_process');
const { execFile } = require('child_process');

function run(userInput, el, db, id, req) {
  // ruleid: js-child-process-exec-injection
  cp.exec("ls " + userInput, (err, out) => {});
  // ruleid: js-child-process-exec-injection
  cp.execSync(`git log ${userInput}`);
  // ok: js-child-process-exec-injection
  cp.exec("ls -la", () => {});
  // ok: js-child-process-exec-injection
  execFile("ls", [userInput]);
  // ok: js-child-process-exec-injection
  /ab+c/.exec(userInput);

  // ruleid: js-eval-injection
  eval(req.query.code);
  // ruleid: js-eval-injection
  const f = new Function("a", req.body.expr);
  // ok: js-eval-injection
  eval("1 + 1");
  // ok: js-eval-injection
  const g = new Function("a", "return a * 2");

  // ruleid: js-timer-string-eval
  setTimeout("update(" + id + ")", 100);
  // ok: js-timer-string-eval
  setTimeout(() => update(id), 100);

  // ruleid: js-inner-html-xss
  el.innerHTML = req.query.name;
  // ok: js-inner-html-xss
  el.innerHTML = "<b>static</b>";

  // ruleid: js-html-sink-xss
  document.write(location.hash);
  // ruleid: js-html-sink-xss
  el.insertAdjacentHTML("beforeend", userInput);
  // ok: js-html-sink-xss
  document.write("<p>hello</p>");

  // ruleid: js-sql-string-concatenation
  db.query("SELECT * FROM users WHERE id = " + id, cb);
  // ruleid: js-sql-string-concatenation
  db.execute(`DELETE FROM t WHERE name = '${userInput}'`);
  // ruleid: js-sql-string-concatenation
  db.query("SELECT * FROM users WHERE name = '" + userInput + "'", cb);
  // ok: js-sql-string-concatenation
  db.query("SELECT * FROM users WHERE id = ?", [id], cb);
  // ok: js-sql-string-concatenation
  logger.info("select " + id);
  const byName = "SELECT * FROM users WHERE name = '" + userInput + "'";
  // ruleid: js-sql-string-concatenation
  db.query(byName, cb);
  let purge = `DELETE FROM sessions WHERE user_id = ${id}`;
  // ruleid: js-sql-string-concatenation
  db.run(purge);
  const fixed = "SELECT * FROM users WHERE id = ?";
  // ok: js-sql-string-concatenation
  db.query(fixed, [id], cb);
  const itemId = Number(userInput);
  // ok: js-sql-string-concatenation
  db.query(`SELECT * FROM items WHERE id = ${itemId}`, cb);
  // ok: js-sql-string-concatenation
  db.query(`SELECT * FROM items WHERE id = ${parseInt(userInput, 10)}`, cb);
  const greeting = "Hello " + userInput;
  // ok: js-sql-string-concatenation
  db.query(greeting, cb);

  const agent = new https.Agent({
    // ruleid: js-tls-reject-unauthorized-disabled
    rejectUnauthorized: false,
  });
  // ok: js-tls-reject-unauthorized-disabled
  const safe = new https.Agent({ rejectUnauthorized: true });

  // ruleid: js-weak-hash
  const digest = crypto.createHash("md5").update(userInput).digest("hex");
  // ok: js-weak-hash
  const good = crypto.createHash("sha256").update(userInput).digest("hex");

  // ruleid: js-insecure-random-secret
  const resetToken = Math.random().toString(36).slice(2);
  // ok: js-insecure-random-secret
  const jitter = Math.random() * 100;
}
