class OrdersController < ApplicationController
  def index
    @records = Order.all
  end

  def total
    @total = Order.calculate(:sum, params[:column]) # EXPECT SQL in a column argument
    render json: { total: @total }
  end
end
