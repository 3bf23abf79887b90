resource "aws_s3_bucket_acl" "logs" {
  bucket = "logs"
  acl    = "public-read" # EXPECT public
}

resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress { # EXPECT open
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # at the line above: open
  }
}

resource "aws_db_instance" "db" {
  identifier        = "db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false # EXPECT unencrypted
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] # EXPECT iam
  })
}
