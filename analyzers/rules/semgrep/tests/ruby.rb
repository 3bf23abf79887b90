require "yaml"

def commands(dir)
  # ruleid: rb-command-injection
  system("ls #{dir}")
  # ruleid: rb-command-injection
  out = `git log #{dir}`
  # ok: rb-command-injection
  system("ls", dir)
  # ok: rb-command-injection
  system("ls -la")
end

def evals(obj, code)
  # ruleid: rb-eval-injection
  eval(code)
  # ruleid: rb-eval-injection
  obj.instance_eval(code)
  # ok: rb-eval-injection
  eval("1 + 1")
  # ok: rb-eval-injection
  obj.instance_eval { @name }
end

def loading(bytes, text)
  # ruleid: rb-marshal-load
  obj = Marshal.load(bytes)
  # ok: rb-marshal-load
  data = JSON.parse(text)
  # ruleid: rb-yaml-load-unsafe
  config = YAML.load(text)
  # ok: rb-yaml-load-unsafe
  safe = YAML.safe_load(text)
end

def queries(name)
  # ruleid: rb-sql-interpolation
  User.where("name = '#{name}'")
  # ok: rb-sql-interpolation
  User.where("name = ?", name)
  # ok: rb-sql-interpolation
  User.where(name: name)
end
