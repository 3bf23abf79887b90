# frozen_string_literal: true
class PasswordResetsController < ApplicationController
  skip_before_action :authenticated

  private

  def generate_token(id, email)
    hash = Digest::MD5.hexdigest(email)
    "#{id}-#{hash}"
  end
end
