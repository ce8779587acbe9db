Gem::Specification.new do |s|
  s.name = "foo" + SUFFIX
  s.version = "1.0.0"
end
