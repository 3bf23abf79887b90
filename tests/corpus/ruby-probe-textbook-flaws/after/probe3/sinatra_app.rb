require 'sinatra'
require 'open3'

get '/hello' do
  "<h1>#{params[:name]}</h1>" # EXPECT xss
end

get '/ping' do
  `ping -c 1 #{params[:host]}` # EXPECT cmd
end

get '/ls' do
  IO.popen("ls #{params[:d]}").read # EXPECT cmd
end

get '/grep' do
  out, _ = Open3.capture2("grep #{params[:q]} /var/log/app.log") # EXPECT cmd
  out
end

get '/sorted' do
  User.order(params[:sort]).to_a.to_s # EXPECT sqli
end

get '/raw' do
  ActiveRecord::Base.connection.execute("SELECT * FROM users WHERE id = #{params[:id]}").to_a.to_s # EXPECT sqli
end
