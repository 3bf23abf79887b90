variable "neptune-dbname" {
  type = string
}
