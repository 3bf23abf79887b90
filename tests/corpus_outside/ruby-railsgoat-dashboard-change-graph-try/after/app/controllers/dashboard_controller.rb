# frozen_string_literal: true
class DashboardController < ApplicationController
  skip_before_action :has_info

  def home
    @user = current_user
  end

  def change_graph
    self.try(params[:graph]) # EXPECT method name from a request parameter
  end

  def bar_graph
    render :bar_graph, layout: false
  end
end
