require 'pathname'

class FilesController < ActionController::Base
  def safe_example
    filename = params[:path]
    user_directory = "/home/#{current_user}/public"

    public_folder = Pathname.new(user_directory).cleanpath.to_s
    file_path = Pathname.new(File.join(user_directory, filename)).cleanpath.to_s

    if !file_path.start_with?(public_folder + File::SEPARATOR)
      raise ArgumentError, "Invalid filename"
    else
      @content = File.read(file_path)
    end
  end
end
