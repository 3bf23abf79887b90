class Benefits < ActiveRecord::Base
  attr_accessor :backup
end
