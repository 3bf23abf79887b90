require 'json'
require 'yaml'
require 'oj'

class UserController < ActionController::Base
  def marshal_example
    data = Base64.decode64 params[:data]
    object = Marshal.load data # EXPECT unsafe deserialization
    # ...
  end

  def json_example
    object = JSON.load params[:json] # EXPECT unsafe deserialization
    # ...
  end

  def yaml_example
    object = YAML.load params[:yaml] # EXPECT unsafe deserialization
    # ...
  end

  def oj_example
    object = Oj.load params[:json] # EXPECT unsafe deserialization
    # ...
  end

  def ox_example
    object = Ox.parse_obj params[:xml] # EXPECT unsafe deserialization
    # ...
  end
end
