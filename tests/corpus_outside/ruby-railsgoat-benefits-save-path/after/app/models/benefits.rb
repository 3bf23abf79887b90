class Benefits < ActiveRecord::Base
  attr_accessor :backup

  def self.save(file, backup = false)
    data_path = Rails.root.join("public", "data")
    full_file_name = "#{data_path}/#{file.original_filename}"
    f = File.open(full_file_name, "w+") # EXPECT path traversal
    f.write file.read
    f.close
  end
end
