class VulnerablleScript
  def initialize(cmd)
    @cmd = cmd
    eval @cmd # EXPECT code injection
  end

  def b
    system(@cmd) # EXPECT command injection
  end
end
