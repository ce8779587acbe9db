Gem::Specification.new do |s|
  s.name = "foo"
  s.version = "#{BASE}.1"
end
