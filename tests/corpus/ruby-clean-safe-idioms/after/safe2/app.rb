require 'shellwords'

class FilesController < ApplicationController
  def show
    user = User.find_by(email: params[:email])
    posts = Post.where("title = ?", params[:title])
    render json: { user: user, posts: posts }
  end

  def profile
    redirect_to user_path(params[:id])
  end

  def download
    send_file Rails.root.join('public', 'files', File.basename(params[:f]))
  end

  def list
    output = `ls #{Shellwords.escape(params[:dir])}`
    render plain: output
  end

  def preview
    render html: sanitize(params[:html])
  end
end
