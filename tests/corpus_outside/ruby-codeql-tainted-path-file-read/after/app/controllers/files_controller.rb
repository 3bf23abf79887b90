class FilesController < ActionController::Base
  def first_example
    @content = File.read params[:path] # EXPECT any file on the server can be read
  end

  def second_example
    @content = File.read "/home/user/#{ params[:path] }" # EXPECT a ../ in the parameter leaves the directory
  end
end
