import Model
print("placeholder")
