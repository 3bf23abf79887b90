# frozen_string_literal: true
class DashboardController < ApplicationController
  skip_before_action :has_info

  def home
    @user = current_user
  end
end
