Gem::Specification.new do |s|
  s.name = 'bundler'
  s.version = Gem::Version.new("2.4.10")
end
