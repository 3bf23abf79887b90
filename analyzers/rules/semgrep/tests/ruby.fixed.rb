require "yaml"

def commands(dir)
  # ruleid: rb-command-injection
  system("ls #{dir}")
  # ruleid: rb-command-injection
  out = `git log #{dir}`
  # ok: rb-command-injection
  system("tar xf #{Shellwords.escape(archive)}")
  # ok: rb-command-injection
  `ls #{dir.shellescape}`
  # ruleid: rb-command-injection
  system("tar xf #{Shellwords.escape(archive)} #{dir}")
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
  config = YAML.safe_load(text)
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

class Visit < ApplicationRecord
  # ruleid: rb-sql-interpolation
  scope :columns_for, ->(ip, col = "*") { select("#{col}").where(ip_address: ip) }
  # ok: rb-sql-interpolation
  scope :recent, ->(ip) { select("id, ip_address").where(ip_address: ip).order("id DESC") }

  def self.by_referrer(ref)
    # ruleid: rb-sql-interpolation
    where("referrer LIKE '%#{ref}%'")
  end

  def self.by_agent(agent)
    # ok: rb-sql-interpolation
    where("user_agent LIKE ?", "%#{sanitize_sql_like(agent)}%")
  end
end

class Account < ApplicationRecord
  def hash_password(password)
    # ruleid: rb-password-fast-hash
    self.password_digest = Digest::MD5.hexdigest(password)
    # ruleid: rb-password-fast-hash
    self.legacy = Digest::SHA256.hexdigest("#{salt}#{password}")
    # ok: rb-password-fast-hash
    self.password_digest = BCrypt::Password.create(password)
    # ok: rb-password-fast-hash
    self.etag = Digest::MD5.hexdigest(body)
  end
end
