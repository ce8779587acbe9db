# stub: stubname 1.0 ruby lib
Gem::Specification.new do |s|
  s.name = "realname".freeze
  s.version = "2.0".freeze # the evaluated value wins
end
