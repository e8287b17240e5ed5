package app

import (
	"reflect"
	"time"
)

// Clone returns a deep copy of a, sharing no slice, map or pointer with it,
// so a merge or a default never changes the stored app it started from.
func (a *App) Clone() *App {
	if a == nil {
		return nil
	}
	return deepCopy(reflect.ValueOf(a)).Interface().(*App)
}

var timeType = reflect.TypeOf(time.Time{})

// deepCopy copies the value graph of the app types: pointers, slices, maps
// and structs of exported fields; time.Time is a value and copied as is.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(iter.Key(), deepCopy(iter.Value()))
		}
		return m
	case reflect.Struct:
		if v.Type() == timeType {
			return v
		}
		s := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			s.Field(i).Set(deepCopy(v.Field(i)))
		}
		return s
	default:
		return v
	}
}
