resource "azurerm_virtual_network" "example" {
  name          = "terragoat-vn-${var.environment}"
  address_space = ["10.0.0.0/16"]
}
