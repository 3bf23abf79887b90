class OrdersController < ApplicationController
  def index
    @records = Order.all
  end
end
