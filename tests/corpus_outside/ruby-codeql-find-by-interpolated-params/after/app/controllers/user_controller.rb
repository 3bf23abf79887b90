class UserController < ActionController::Base
  def text_bio
    # Using string interpolation
    user = User.find_by "name = '#{params[:user_name]}'" # EXPECT SQL injection (interpolation)

    # Using string concatenation
    find_str = "name = '" + params[:user_name] + "'"
    user = User.find_by(find_str) # EXPECT SQL injection (concatenation)

    # Using a hash to parameterize arguments
    user = User.find_by name: params[:user_name]

    render plain: user&.text_bio
  end
end
