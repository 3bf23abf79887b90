class API < Grape::API
  get '/users' do
    User.where("name = '#{params[:name]}'") # EXPECT sqli
  end

  get '/run' do
    system("ls #{params[:dir]}") # EXPECT cmd
  end
end
