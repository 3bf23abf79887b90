resource "alicloud_oss_bucket" "bad_bucket" {
  bucket = "wildwestfreeforall"
  acl    = "public-read-write" # EXPECT public bucket
}
