resource "google_bigquery_dataset" "dataset" {
  dataset_id = "terragoat_${var.environment}_dataset"
  access {
    special_group = "allAuthenticatedUsers" # EXPECT dataset readable by any Google account
    role          = "READER"
  }
}
