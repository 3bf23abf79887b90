resource "aws_s3_bucket" "logs" {
  bucket = "company-logs"
  # ruleid: tf-s3-public-acl
  acl = "public-read"
}

resource "aws_s3_bucket_acl" "private" {
  bucket = aws_s3_bucket.logs.id
  # ok: tf-s3-public-acl
  acl = "private"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id
  # ruleid: tf-s3-public-access-block-off
  block_public_acls = false
  # ok: tf-s3-public-access-block-off
  block_public_policy = true
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = "assets"
  role   = "roles/storage.objectViewer"
  # ruleid: tf-public-bucket-grant
  member = "allUsers"
}

resource "google_storage_bucket_iam_member" "team" {
  bucket = "assets"
  role   = "roles/storage.objectViewer"
  # ok: tf-public-bucket-grant
  member = "group:team@example.com"
}

resource "aws_security_group" "web" {
  name = "web"

  # ruleid: tf-security-group-open-to-world
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  # ok: tf-security-group-open-to-world
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  # ok: tf-security-group-open-to-world
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

# ruleid: tf-security-group-open-to-world
resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  from_port         = 3000
  to_port           = 4000
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.web.id
}

resource "google_compute_firewall" "ssh" {
  name          = "allow-ssh"
  network       = "default"
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    # ruleid: tf-firewall-open-to-world
    ports = ["22"]
  }
}

resource "google_compute_firewall" "https" {
  name          = "allow-https"
  network       = "default"
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    # ok: tf-firewall-open-to-world
    ports = ["443"]
  }
}

resource "aws_db_instance" "main" {
  engine = "postgres"
  # ruleid: tf-database-publicly-accessible
  publicly_accessible = true
}

resource "aws_db_instance" "internal" {
  engine = "postgres"
  # ok: tf-database-publicly-accessible
  publicly_accessible = false
}

provider "kubernetes" {
  host = "https://k8s.example.com"
  # ruleid: tf-provider-tls-verification-disabled
  insecure = true
}

provider "vault" {
  address = "https://vault.example.com"
  # ok: tf-provider-tls-verification-disabled
  skip_tls_verify = false
}

resource "azurerm_network_security_group" "bad_sg" {
  name = "nsg"

  # ruleid: tf-firewall-open-to-world
  security_rule {
    access                     = "Allow"
    direction                  = "Inbound"
    name                       = "AllowSSH"
    source_address_prefix      = "*"
    destination_port_range     = "22-22"
  }

  # ok: tf-firewall-open-to-world
  security_rule {
    access                     = "Allow"
    direction                  = "Inbound"
    name                       = "AllowHTTPS"
    source_address_prefix      = "*"
    destination_port_range     = "443"
  }
}

# ok: tf-security-group-open-to-world
resource "aws_security_group_rule" "egress" {
  type        = "egress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
}
