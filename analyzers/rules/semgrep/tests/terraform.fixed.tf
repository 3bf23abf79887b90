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
  block_public_acls = true
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
  publicly_accessible = false
}

resource "aws_db_instance" "internal" {
  engine = "postgres"
  # ok: tf-database-publicly-accessible
  publicly_accessible = false
}

provider "kubernetes" {
  host = "https://k8s.example.com"
  # ruleid: tf-provider-tls-verification-disabled
  insecure = false
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

resource "alicloud_oss_bucket" "open" {
  bucket = "shared"
  # ruleid: tf-public-acl-any-provider
  acl = "public-read-write"
}

resource "google_bigquery_dataset" "shared" {
  dataset_id = "shared"
  access {
    role = "READER"
    # ruleid: tf-public-principal-grant
    special_group = "allAuthenticatedUsers"
  }
}

data "aws_iam_policy_document" "domain" {
  statement {
    actions = ["es:*"]
    principals {
      type = "AWS"
      # ruleid: tf-policy-any-principal
      identifiers = ["*"]
    }
  }
}

resource "google_sql_database_instance" "db" {
  settings {
    ip_configuration {
      authorized_networks {
        # ruleid: tf-data-service-open-to-world
        value = "0.0.0.0/0"
      }
      authorized_networks {
        # ok: tf-data-service-open-to-world
        value = "10.0.0.0/8"
      }
    }
  }
}

resource "azurerm_sql_firewall_rule" "all" {
  start_ip_address = "0.0.0.0"
  # ruleid: tf-sql-firewall-all-addresses
  end_ip_address = "255.255.255.255"
}

resource "aws_neptune_cluster" "graph" {
  # ruleid: tf-encryption-disabled
  storage_encrypted = false
}

resource "azurerm_managed_disk" "disk" {
  encryption_settings {
    # ruleid: tf-encryption-disabled
    enabled = false
  }
}

resource "azurerm_app_service" "app" {
  site_config {
    # ruleid: tf-weak-tls-version
    min_tls_version = "1.0"
  }
}

resource "google_container_cluster" "gke" {
  # ruleid: tf-kubernetes-legacy-abac
  enable_legacy_abac = false
}

resource "alicloud_oss_bucket" "closed" {
  bucket = "internal"
  # ok: tf-public-acl-any-provider
  acl = "private"
}

resource "google_bigquery_dataset" "team" {
  dataset_id = "team"
  access {
    role = "READER"
    # ok: tf-public-principal-grant
    group_by_email = "team@example.com"
  }
}

data "aws_iam_policy_document" "scoped" {
  statement {
    actions = ["es:ESHttpGet"]
    principals {
      type = "AWS"
      # ok: tf-policy-any-principal
      identifiers = ["arn:aws:iam::123456789012:role/reader"]
    }
  }
}

resource "azurerm_sql_firewall_rule" "office" {
  start_ip_address = "40.112.8.12"
  # ok: tf-sql-firewall-all-addresses
  end_ip_address = "40.112.8.12"
}

resource "aws_neptune_cluster" "graph_encrypted" {
  # ok: tf-encryption-disabled
  storage_encrypted = true
}

resource "azurerm_app_service" "app_modern" {
  site_config {
    # ok: tf-weak-tls-version
    min_tls_version = "1.2"
  }
}

resource "google_container_cluster" "gke_rbac" {
  # ok: tf-kubernetes-legacy-abac
  enable_legacy_abac = false
}

resource "azurerm_kubernetes_cluster" "open_aks" {
  addon_profile {
    kube_dashboard {
      # ruleid: tf-kubernetes-dashboard-enabled
      enabled = true
    }
  }
  role_based_access_control {
    # ruleid: tf-kubernetes-rbac-disabled
    enabled = false
  }
}

resource "azurerm_kubernetes_cluster" "open_aks_v3" {
  # ruleid: tf-kubernetes-rbac-disabled
  role_based_access_control_enabled = false
}

resource "google_container_cluster" "gke_dashboard" {
  addons_config {
    kubernetes_dashboard {
      # ruleid: tf-kubernetes-dashboard-enabled
      disabled = false
    }
  }
}

resource "azurerm_kubernetes_cluster" "locked_aks" {
  addon_profile {
    oms_agent {
      # ok: tf-kubernetes-dashboard-enabled
      enabled = true
    }
    kube_dashboard {
      # ok: tf-kubernetes-dashboard-enabled
      enabled = false
    }
  }
  role_based_access_control {
    # ok: tf-kubernetes-rbac-disabled
    enabled = true
  }
}

resource "azurerm_kubernetes_cluster" "locked_aks_v3" {
  # ok: tf-kubernetes-rbac-disabled
  role_based_access_control_enabled = true
}

resource "azurerm_linux_virtual_machine" "password_vm" {
  # ruleid: tf-vm-password-authentication
  disable_password_authentication = false
}

resource "azurerm_linux_virtual_machine" "key_vm" {
  # ok: tf-vm-password-authentication
  disable_password_authentication = true
}

resource azurerm_kubernetes_cluster "unquoted_type" {
  role_based_access_control {
    # ruleid: tf-kubernetes-rbac-disabled
    enabled = false
  }
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      # ruleid: tf-iam-policy-allows-every-action
      { Effect = "Allow", Action = "*", Resource = "*" },
      # ok: tf-iam-policy-allows-every-action
      { Effect = "Deny", Action = "*", Resource = "*" },
      # ok: tf-iam-policy-allows-every-action
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::reports/*" },
    ]
  })
}

data "aws_iam_policy_document" "everything" {
  statement {
    effect = "Allow"
    # ruleid: tf-iam-policy-allows-every-action
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    effect = "Deny"
    # ok: tf-iam-policy-allows-every-action
    actions   = ["*"]
    resources = ["arn:aws:s3:::audit/*"]
  }
}

resource "aws_iam_role_policy" "inline" {
  name = "inline"
  role = "worker"
  # ruleid: tf-iam-policy-allows-every-action
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
}
