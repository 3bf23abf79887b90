class Benefits < ActiveRecord::Base
  attr_accessor :backup

  def self.make_backup(file, data_path, full_file_name)
    if File.exists?(full_file_name)
      system("cp #{full_file_name} #{data_path}/bak#{Time.now.to_i}_#{file.original_filename}") # EXPECT command injection
    end
  end
end
