provider "alicloud" {
  region = "us-west-1"
}
