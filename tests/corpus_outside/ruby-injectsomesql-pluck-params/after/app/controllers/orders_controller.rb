class OrdersController < ApplicationController
  def index
    @records = Order.all
  end

  def column
    @values = Order.pluck(params[:column]) # EXPECT SQL select list from params
    render json: @values
  end
end
