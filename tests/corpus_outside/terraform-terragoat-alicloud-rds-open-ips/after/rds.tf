resource "alicloud_db_instance" "seeme" {
  engine           = "MySQL"
  engine_version   = "5.6"
  instance_type    = "rds.mysql.t1.small"
  instance_storage = "10"
  tde_status       = "Enabled"
  security_ips = [
    "0.0.0.0", # EXPECT database open to every address
    "10.23.12.24/24"
  ]
  parameters {
    name  = "connect_timeout"
    value = "50"
  }
}
