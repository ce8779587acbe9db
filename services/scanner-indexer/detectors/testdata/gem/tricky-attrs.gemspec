Gem::Specification.new do |spec|
  spec.name_suffix = "wrong"
  spec.namespace = "wrong"
  spec.name == "wrong"
  spec.version =~ /x/
  spec.name    =    "right"   if spec.respond_to? :name=
  spec.version = '3.1.4' unless false
end
