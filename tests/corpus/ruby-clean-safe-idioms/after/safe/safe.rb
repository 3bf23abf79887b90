class SafeController < ApplicationController
  def index
    @users = User.where(name: params[:name])
    render json: @users
  end

  def search
    @posts = Post.where("title LIKE ?", "%#{params[:q]}%")
    render json: @posts
  end

  def list
    system("ls", "-l", "--", params[:dir])
    head :ok
  end

  def home
    redirect_to root_path
  end

  def show
    @title = params[:title]
    render :show
  end

  def greet
    render plain: "Hello #{params[:name]}"
  end

  def echo
    render json: { q: params[:q] }
  end
end
