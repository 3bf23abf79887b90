// The destructured forms of child_process, in a CommonJS module.
const { exec, execSync, execFile } = require("child_process");

function archive(req, res) {
  // ruleid: js-child-process-exec-injection
  exec("tar czf out.tgz " + req.query.dir, () => res.send("ok"));
  // ruleid: js-child-process-exec-injection
  execSync(`du -sh ${req.query.dir}`);
  // ok: js-child-process-exec-injection
  exec("tar czf out.tgz data", () => res.send("ok"));
  // ok: js-child-process-exec-injection
  execFile("tar", ["czf", "out.tgz", req.query.dir]);
}

module.exports = { archive };
