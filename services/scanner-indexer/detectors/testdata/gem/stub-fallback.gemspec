# -*- encoding: utf-8 -*-
# stub: json 2.6.3 ruby lib
# stub: other 9.9.9 ruby lib

Gem::Specification.new do |s|
  s.name = "json".freeze
  s.version = JSON::VERSION
end
