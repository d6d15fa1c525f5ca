def add_demo_values(context):
    pass
