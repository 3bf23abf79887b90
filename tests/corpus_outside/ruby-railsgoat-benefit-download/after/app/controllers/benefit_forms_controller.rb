# frozen_string_literal: true
class BenefitFormsController < ApplicationController

  def index
    @benefits = Benefits.new
  end

  def download
   begin
     path = params[:name]
     file = params[:type].constantize.new(path) # EXPECT unsafe reflection
     send_file file, disposition: "attachment" # EXPECT path traversal
   rescue
     redirect_to user_benefit_forms_path(user_id: current_user.id)
   end
  end
end
